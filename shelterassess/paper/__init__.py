"""The paper round trip (issue 13): a blank score sheet carries a check code; it is typed in twice,
blind, by two people; the differences are resolved and the result saved into the assessment."""
