# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.io against Pygolang 0.1's API (API-0.1.md 1.4). Pure Python."""

from golang import error, errors, io


def test_eof_and_unexpected_eof_are_distinct_exact_errors_with_go_texts():
    assert type(io.EOF) is error and type(io.ErrUnexpectedEOF) is error
    assert str(io.EOF) == "EOF"
    assert str(io.ErrUnexpectedEOF) == "unexpected EOF"
    assert (io.EOF == io.ErrUnexpectedEOF) is False
    assert (io.EOF != io.ErrUnexpectedEOF) is True
    assert io.EOF == errors.New("EOF")      # exact errors compare by type and text
    assert errors.Is(errors.New("EOF"), io.EOF)
