"""Peer teams: composition rules, assignments to facilities and visit scheduling."""
