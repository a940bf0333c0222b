"""Spotting details that may identify a person in a free-text note (issue 11): what is flagged,
what is not, in Vietnamese (with and without diacritics, NFC and NFD) and English."""
import unicodedata

import pytest

from shelterassess.web.identifying import (BIRTH_DATE, EMAIL, ID_NUMBER, NAME, PHONE, Finding,
                                           find_identifying_details)


def kinds(text):
    return [f.kind for f in find_identifying_details(text)]


def texts(text):
    return [f.text for f in find_identifying_details(text)]


@pytest.mark.parametrize("text, expected", [
    # phone numbers
    ("Gọi chị ấy qua số 0912345678", "0912345678"),
    ("Liên hệ 0912 345 678 khi cần", "0912 345 678"),
    ("số 0912.345.678", "0912.345.678"),
    ("số 0912-345-678", "0912-345-678"),
    ("máy bàn 024 3826 1234", "024 3826 1234"),
    ("máy bàn 0243.826.1234", "0243.826.1234"),
    ("+84 912 345 678", "+84 912 345 678"),
    ("(+84) 912345678", "(+84) 912345678"),
    ("84912345678", "84912345678"),
    ("call +1 (415) 555-0134", "+1 (415) 555-0134"),
    ("her mother on +66 2 123 4567", "+66 2 123 4567"),
    ("SĐT: 0987654321", "0987654321"),
    ("sdt 098 765 4321", "098 765 4321"),
    ("phone: 555-123-4567", "555-123-4567"),
])
def test_phone_numbers_are_flagged(text, expected):
    found = find_identifying_details(text)
    assert [(f.kind, f.text) for f in found] == [(PHONE, expected)]


@pytest.mark.parametrize("text, expected", [
    ("CCCD 001098012345", "001098012345"),
    ("căn cước công dân số 079203001234", "079203001234"),
    ("số CMND: 123456789", "123456789"),
    ("CMND 012 345 678", "012 345 678"),
    ("Em có số 001098012345 trong hồ sơ", "001098012345"),
    ("giấy tờ: 123456789", "123456789"),
    ("hộ chiếu B1234567", "B1234567"),
    ("passport no. C7654321", "C7654321"),
    ("Passport: N1234567", "N1234567"),
    ("ID 78901234", "78901234"),
    ("ID number: 4521-889-01", "4521-889-01"),
])
def test_id_and_passport_numbers_are_flagged(text, expected):
    assert [(f.kind, f.text) for f in find_identifying_details(text)] == [(ID_NUMBER, expected)]


@pytest.mark.parametrize("text, expected", [
    ("Nói chuyện với chị Lan về việc làm", "chị Lan"),
    ("em Nguyễn Thị Hoa đã về quê", "em Nguyễn Thị Hoa"),
    ("anh Tuấn làm bảo vệ", "anh Tuấn"),
    ("cô Mai phụ trách bếp", "cô Mai"),
    ("bà Lê Thị Sáu", "bà Lê Thị Sáu"),
    ("ông Hùng", "ông Hùng"),
    ("bé Na khóc cả đêm", "bé Na"),
    ("cháu Minh đi học lại", "cháu Minh"),
    ("Chị Thu kể lại", "Chị Thu"),
    ("tên là Mai", "tên là Mai"),
    ("tên: lan", "tên: lan"),
    ("Họ tên: Trần Văn Bình", "Họ tên: Trần Văn Bình"),
    ("nạn nhân Hoa", "nạn nhân Hoa"),
    # without diacritics
    ("noi chuyen voi chi Lan", "chi Lan"),
    ("em Nguyen Thi Hoa", "em Nguyen Thi Hoa"),
    ("ten la Hoa", "ten la Hoa"),
    # English
    ("Ms Lan refused", "Ms Lan"),
    ("We met Mrs. Hoa", "Mrs. Hoa"),
    ("Mr Smith, the uncle", "Mr Smith"),
    ("Miss Mai", "Miss Mai"),
    ("a girl named Hoa", "named Hoa"),
    ("a boy called Minh", "called Minh"),
    ("her name is Linh", "her name is Linh"),
])
def test_names_after_a_title_or_label_are_flagged(text, expected):
    assert [(f.kind, f.text) for f in find_identifying_details(text)] == [(NAME, expected)]


@pytest.mark.parametrize("text, expected", [
    ("sinh năm 1998", "sinh năm 1998"),
    ("sinh ngày 12/3/2005", "sinh ngày 12/3/2005"),
    ("năm sinh: 2003", "năm sinh: 2003"),
    ("ngày sinh 01-02-2004", "ngày sinh 01-02-2004"),
    ("sinh nam 1998", "sinh nam 1998"),
    ("born 2001", "born 2001"),
    ("born on 12 March 2005", "born on 12 March 2005"),
    ("DOB: 12/03/2005", "DOB: 12/03/2005"),
    ("date of birth 2004", "date of birth 2004"),
])
def test_dates_of_birth_are_flagged(text, expected):
    assert [(f.kind, f.text) for f in find_identifying_details(text)] == [(BIRTH_DATE, expected)]


@pytest.mark.parametrize("text", ["lan.nguyen@gmail.com", "viết cho hoa_tran+1@yahoo.com.vn nhé"])
def test_email_addresses_are_flagged(text):
    assert kinds(text) == [EMAIL]


@pytest.mark.parametrize("text", [
    "",
    "Chỉ số A1.2 đạt 3/3; B2.10 chưa đạt.",
    "Indicator A1.2 scored 3/3 in 2024",
    "Năm 2024 cơ sở đã sửa phòng ngủ.",
    "Điểm 2, điểm trung bình 2,5",
    "Chi 1.500.000 đ cho 12 người được hỗ trợ",
    "Kinh phí 150.000.000 đồng; 84.000.000.000 đồng cả tỉnh",
    "tổng 150000000 đồng",
    "Budget 1,500,000 VND, 2000 USD",
    "12 người được hỗ trợ đã có việc làm",
    "Đến thăm ngày 12/3/2024 và 15/04/2024",
    "Visit on 2024-03-12 at 10:30",
    "Nhà tạm lánh ở Hà Nội, Lào Cai, TP Hồ Chí Minh và Đà Nẵng",
    "chị Hà Nội",
    "Cán bộ và nhân viên họp với người được hỗ trợ",
    "cán bộ Sở LĐ-TB&XH tỉnh Lào Cai",
    "anh Bảo vệ trực đêm",
    "chị Quản lý cơ sở đã ký",
    "cô Trung tâm",
    "Nhân viên vệ sinh ngày 12/3/2024",
    "học sinh năm 2024 được hỗ trợ",
    "Có 3 Nhân viên",
    "chỉ Lan mới biết",  # "only": not the kinship word chị
    "Học tiếng Anh mỗi tuần",
    "The meeting will be Monday",
    "Sổ theo dõi có mã HS-2024-03",
    "Phòng 12 có 4 giường",
    "Gọi đường dây nóng 111 hoặc 18001567",
    "We never record a date of birth.",
    "The Women's Union called Police",
    "tên cơ sở: Nhà Bình An",
])
def test_harmless_notes_are_not_flagged(text):
    assert find_identifying_details(text) == []


def test_several_details_in_order_with_spans():
    text = "chị Lan 0912 345 678, sinh năm 1998, lan@example.com"
    found = find_identifying_details(text)
    assert [f.kind for f in found] == [NAME, PHONE, BIRTH_DATE, EMAIL]
    for f in found:
        assert text[f.start:f.end] == f.text
    assert found[0] == Finding(NAME, 0, 7, "chị Lan")


def test_nfd_text_is_flagged_with_spans_in_the_original():
    text = unicodedata.normalize("NFD", "Gặp chị Lan, sinh năm 1998")
    found = find_identifying_details(text)
    assert [f.kind for f in found] == [NAME, BIRTH_DATE]
    assert [unicodedata.normalize("NFC", f.text) for f in found] == ["chị Lan", "sinh năm 1998"]
    for f in found:
        assert text[f.start:f.end] == f.text


def test_nfd_and_nfc_find_the_same():
    for text in ("em Nguyễn Thị Hoa", "hộ chiếu B1234567", "Nhân viên vệ sinh ngày 12/3/2024", "chỉ Lan"):
        nfc = [(f.kind, unicodedata.normalize("NFC", f.text)) for f in find_identifying_details(text)]
        nfd = [(f.kind, unicodedata.normalize("NFC", f.text))
               for f in find_identifying_details(unicodedata.normalize("NFD", text))]
        assert nfc == nfd


def test_a_number_is_flagged_once():
    assert texts("SĐT: 0912.345.678") == ["0912.345.678"]
    assert kinds("CCCD: 001098012345") == [ID_NUMBER]


def test_none_is_nothing():
    assert find_identifying_details(None) == []


@pytest.mark.parametrize("text, expected", [
    ("Nguyễn Thị Hoa đã đến hôm qua", "Nguyễn Thị Hoa"),
    ("Gặp Phạm Văn Đức ở phòng khách", "Phạm Văn Đức"),
    ("Tran Minh Tuan asked about the lockers", "Tran Minh Tuan"),
    ("hỏi nguyen thi hoa về tủ khóa", "nguyen thi hoa"),
    ("Võ Thị Sáu", "Võ Thị Sáu"),
])
def test_full_names_without_a_title_are_flagged(text, expected):
    assert [(f.kind, f.text) for f in find_identifying_details(text)] == [("name", expected)]


@pytest.mark.parametrize("text", [
    "Trụ sở ở TP Hồ Chí Minh", "Ho Chi Minh City office", "Hồ sơ của cơ sở đủ 5 mẫu", "Hồ sơ Lưu trữ",
    "đóng cửa do văn phòng chuyển", "Đỗ xe ở sân sau", "Trần nhà bị dột", "Chuyển gửi về Cao Bằng",
    "Đi Phan Thiết", "Tham quan Hạ Long", "Đoàn kiểm tra đến lúc 9 giờ",
])
def test_places_and_words_that_start_like_family_names_are_not_flagged(text):
    assert find_identifying_details(text) == []
