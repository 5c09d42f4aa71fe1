"""The markup the client's upload hooks read, the binary frame format, and the upload config's
own checks — without a websocket."""

from __future__ import annotations

import pytest

from liveview.channel.frames import MalformedFrame, decode_binary, encode_binary
from liveview.template import Template
from liveview.uploads import (
    UploadConfig,
    UploadEntry,
    Uploads,
    live_file_input,
    live_img_preview,
)
from liveview.uploads.entry import clean_name


def config(**kw: object) -> UploadConfig:
    return UploadConfig(name="photos", accept=(".png",), **kw)  # type: ignore[arg-type]


def add(upload: UploadConfig, ref: str, **kw: object) -> UploadEntry:
    entry = UploadEntry(ref=ref, upload_ref=upload.ref, client_name="a.png", client_size=1,
                        client_type="image/png", **kw)  # type: ignore[arg-type]  # fmt: skip
    upload.entries.append(entry)
    return entry


def test_file_input_carries_the_refs_in_entry_order() -> None:
    upload = config(max_entries=3, auto_upload=True)
    add(upload, "0", preflighted=True, done=True)
    add(upload, "1", preflighted=True)
    add(upload, "2", errors=["too_large"])
    html = live_file_input(upload, class_="picker", required=True, disabled=False)
    assert html == (
        f'<input id="{upload.ref}" type="file" name="photos" accept=".png" '
        f'data-phx-hook="Phoenix.LiveFileUpload" data-phx-upload-ref="{upload.ref}" '
        'data-phx-active-refs="0,1,2" data-phx-done-refs="0" data-phx-preflighted-refs="0,1" '
        'data-phx-error-refs="2" data-phx-auto-upload multiple class="picker" required>'
    )


def test_file_input_of_one_any_file_with_no_entries() -> None:
    upload = UploadConfig(name="doc", accept="any")
    html = live_file_input(upload)
    assert 'data-phx-active-refs="" data-phx-done-refs="" data-phx-preflighted-refs=""' in html
    assert "accept=" not in html and "multiple" not in html and "auto-upload" not in html


def test_helpers_refuse_what_they_cannot_render() -> None:
    upload = config()
    with pytest.raises(TypeError, match=r"live_file_input\(uploads.photos\)"):
        live_file_input("photos")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'id' is the helper's own attribute"):
        live_file_input(upload, id="mine")
    with pytest.raises(TypeError, match="upload entry"):
        live_img_preview(upload)  # type: ignore[arg-type]


def test_img_preview_names_its_input_and_entry() -> None:
    upload = config()
    entry = add(upload, "7")
    assert live_img_preview(entry, width="48") == (
        f'<img id="phx-preview-7" data-phx-upload-ref="{upload.ref}" data-phx-entry-ref="7" '
        'data-phx-hook="Phoenix.LiveImgPreview" data-phx-update="ignore" width="48">'
    )


def test_templates_have_the_helpers() -> None:
    uploads = Uploads()
    upload = uploads.allow(config())
    add(upload, "0", errors=["not_accepted"])
    template = Template(
        "{{ live_file_input(uploads.photos) }}{% for e in uploads.photos.entries %}"
        "{{ live_img_preview(e) }}{{ upload_error_message(e.errors[0]) }}{% endfor %}"
    )
    html = template.render_html({"uploads": uploads})
    assert f'data-phx-upload-ref="{upload.ref}" data-phx-active-refs="0"' in html
    assert 'id="phx-preview-0"' in html and "File type not accepted" in html


def test_uploads_attribute_access_names_the_fix() -> None:
    with pytest.raises(AttributeError, match=r"socket.allow_upload\('photos', accept=...\)"):
        _ = Uploads().photos


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"accept": ".png"}, "accept must be 'any' or a list"),
        ({"accept": ()}, "accept must be 'any' or a list"),
        ({"accept": ("png",)}, "neither an extension"),
        ({"accept": "any", "max_entries": 0}, "max_entries must be a positive int"),
        ({"accept": "any", "chunk_size": 1.5}, "chunk_size must be a positive int"),
    ],
)
def test_config_refuses_bad_options(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UploadConfig(name="x", **kw)  # type: ignore[arg-type]


def test_binary_frames_round_trip() -> None:
    data = encode_binary("12", "34", "lvu:0", "chunk", b"\x00\xffpayload")
    frame = decode_binary(data)
    assert (frame.join_ref, frame.ref, frame.topic, frame.event) == ("12", "34", "lvu:0", "chunk")
    assert bytes(frame.payload) == b"\x00\xffpayload"
    assert bytes(decode_binary(encode_binary("1", "2", "t", "e", b"")).payload) == b""
    with pytest.raises(ValueError, match="at most 255"):
        encode_binary("1", "2", "x" * 256, "e", b"")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01",
        b"\x01\x00\x00\x01\x01te",
        b"\x00\x09\x01\x01\x01abc",
        b"\x00\x00\x01\x00\x01\xc3e",
    ],
)
def test_binary_frames_malformed(data: bytes) -> None:
    with pytest.raises(MalformedFrame):
        decode_binary(data)


def test_clean_name_keeps_text_and_drops_controls() -> None:
    assert clean_name("a\x00b\x7f\u200bc\u202e/../d\r\n.png") == "abc/../d.png"
    assert len(clean_name("x" * 1000)) == 255
