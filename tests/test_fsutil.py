from __future__ import annotations

from pathlib import Path

import pytest

from explainer.fsutil import digest, file_digest, sha256_hex, write_files


def test_write_files_skips_identical_content_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.po"
    assert write_files({target: b"one"}) == [target]
    assert write_files({target: b"one"}) == []
    assert write_files({target: b"two"}) == [target]
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.po"]


def test_write_files_writes_all_or_nothing(tmp_path: Path) -> None:
    first = tmp_path / "a.po"
    first.write_bytes(b"old")
    (tmp_path / "b").write_bytes(b"a file where a folder is needed")
    blocked = tmp_path / "b" / "c.po"
    with pytest.raises(OSError) as raised:
        write_files({first: b"new", blocked: b"new"})
    assert raised.value.filename == str(blocked)
    assert first.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.po", "b"]


def test_sha256_hex_hashes_text_as_utf8() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex("é") == sha256_hex("é".encode())


def test_digest_tells_where_parts_end() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a", b"b") == digest(b"a", "b")
    assert digest("abc") != sha256_hex("abc")  # length-prefixed


def test_file_digest_of_a_file_and_of_none(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_bytes(b"abc")
    assert file_digest(file) == sha256_hex(b"abc")
    assert file_digest(tmp_path / "missing") == "absent"
