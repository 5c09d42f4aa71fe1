from liveview.channel.params import decode_form, form_payload, split_key


def test_split_key() -> None:
    assert split_key("name") == ["name"]
    assert split_key("user[name]") == ["user", "name"]
    assert split_key("user[tags][]") == ["user", "tags", ""]
    assert split_key("a[b][c]") == ["a", "b", "c"]


def test_nested_maps_and_lists() -> None:
    encoded = "user%5Bname%5D=Al&user%5Btags%5D%5B%5D=a&user%5Btags%5D%5B%5D=b&q=x+y"
    assert decode_form(encoded) == {"user": {"name": "Al", "tags": ["a", "b"]}, "q": "x y"}


def test_list_of_maps_starts_a_new_map_on_repeated_key() -> None:
    encoded = "rows[][id]=1&rows[][name]=a&rows[][id]=2&rows[][name]=b"
    assert decode_form(encoded) == {"rows": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]}


def test_blank_values_kept_as_strings() -> None:
    assert decode_form("a=&b=0") == {"a": "", "b": "0"}


def test_unused_markers_are_kept_like_phoenix() -> None:
    assert decode_form("user[_unused_email]=&user[email]=") == {
        "user": {"_unused_email": "", "email": ""}
    }


def test_meta_merged_and_target_split() -> None:
    payload = form_payload("user%5Bname%5D=Al", {"_target": "user[name]", "extra": "1"})
    assert payload == {"user": {"name": "Al"}, "_target": ["user", "name"], "extra": "1"}


def test_unknown_target_dropped_and_non_string_value_tolerated() -> None:
    assert form_payload(None, {"_target": "undefined"}) == {}
