"""`liveview.forms`: names, values as typed, used inputs, which errors show, nested forms, rows
added and removed by the sort/drop params, and params that are not what the model expects."""

from __future__ import annotations

import datetime
import enum
import time
from typing import Literal

import pytest
from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator, model_validator

from liveview.forms import Form, inputs_for, to_form
from liveview.forms.params import used


class Address(BaseModel):
    city: str = Field(min_length=2)
    zip: str = ""


class Phone(BaseModel):
    number: str = Field(min_length=3)
    kind: Literal["home", "work"] = "home"


class Plan(enum.Enum):
    FREE = "free"
    TEAM_PLAN = "team"


class SignUp(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, title="Your name")
    age: int | None = None
    seats: int = 1
    born: datetime.date | None = None
    agree: bool = False
    plan: Plan = Plan.FREE
    langs: list[Literal["py", "js"]] = []
    address: Address
    phones: list[Phone] = []


def test_names_ids_and_the_default_form_name() -> None:
    form = to_form(SignUp)
    assert (form.name, form.id) == ("sign_up", "sign_up")
    assert form["email"].name == "sign_up[email]"
    assert form["email"].id == "sign_up_email"
    (address,) = form["address"].forms
    assert address["city"].name == "sign_up[address][city]"
    assert address["city"].id == "sign_up_address_city"
    named = to_form(SignUp, as_="user")
    assert named["email"].name == "user[email]"
    with pytest.raises(KeyError, match="no field 'mail'"):
        form["mail"]


def test_field_types_labels_and_options_come_from_the_annotations() -> None:
    form = to_form(SignUp)
    types = {field.field: field.type for field in form.fields}
    assert types == {
        "email": "email",
        "name": "text",
        "age": "number",
        "seats": "number",
        "born": "date",
        "agree": "checkbox",
        "plan": "select",
        "langs": "select",
        "address": "text",
        "phones": "text",
    }
    assert form["name"].label == "Your name"
    assert form["born"].label == "Born"
    assert form["plan"].options == [("free", "Free"), ("team", "Team plan")]
    assert form["langs"].multiple and not form["plan"].multiple
    assert form["email"].required and not form["age"].required


def test_before_any_params_values_come_from_defaults_and_no_error_shows() -> None:
    form = to_form(SignUp)
    assert form["seats"].value == 1 and form["seats"].input_value == "1"
    assert form["plan"].value is Plan.FREE and form["plan"].input_value == "free"
    assert form["langs"].value == []
    assert not form.valid and form.data is None
    assert set(form.all_errors) == {"email", "name", "address"}
    assert form.errors == {} and form["email"].errors == []


def test_an_instance_fills_what_params_do_not_say() -> None:
    user = SignUp(
        email="al@example.org",
        name="Al",
        born=datetime.date(1990, 5, 17),
        address=Address(city="Paris"),
        phones=[Phone(number="123")],
    )
    form = to_form(user)
    assert form.valid and form.data is user
    assert form["born"].input_value == "1990-05-17"
    assert [row["number"].value for row in inputs_for(form["phones"])] == ["123"]
    edited = to_form(user, {"name": "Alice", "address": {"zip": "75001"}}, action="validate")
    assert edited.valid
    assert edited.data.name == "Alice" and edited.data.email == "al@example.org"
    assert edited.data.address == Address(city="Paris", zip="75001")


def test_value_is_what_was_typed_even_when_invalid() -> None:
    form = to_form(SignUp, {"seats": "two", "email": "nope"}, action="validate")
    assert form["seats"].value == "two" and form["seats"].input_value == "two"
    assert form["seats"].errors == [
        "Input should be a valid integer, unable to parse string as an integer"
    ]
    assert form["email"].value == "nope"


def test_used_inputs_follow_phoenix() -> None:
    # the client adds `_unused_<name>` for inputs not focused yet (Phoenix's used_input?)
    params = {
        "a": "",
        "_unused_a": "",
        "b": "x",
        "bday": {"year": "", "day": "", "_unused_day": ""},
    }
    assert not used(params, "a")
    assert used(params, "b")
    assert used(params, "bday")  # one part of it was used
    assert not used(params, "missing")
    assert not used(params, "_unused_a")
    assert not used({"bday": {"day": "", "_unused_day": ""}}, "bday")


def test_errors_show_for_used_fields_until_the_form_is_submitted() -> None:
    params = {
        "email": "bad",
        "name": "",
        "_unused_name": "",
        "address": {"city": "", "_unused_city": ""},
    }
    form = to_form(SignUp, params, action="validate")
    assert form.errors == {
        "email": ["value is not a valid email address: An email address must have an @-sign."]
    }
    assert form["name"].errors == [] and form["name"].all_errors != []
    assert form["email"].used and not form["name"].used and not form["address"].used
    submitted = to_form(SignUp, params, action="submit")
    assert set(submitted.errors) == {"email", "name", "address.city"}
    assert to_form(SignUp, params).errors == {}  # no action: nothing shows


def test_nested_and_list_errors_land_on_their_fields() -> None:
    params = {
        "email": "al@example.org",
        "name": "Al",
        "address": {"city": "P"},
        "phones": {"0": {"number": "1", "kind": "cell"}, "1": {"number": "12345"}},
        "langs": ["py", "rb"],
    }
    form = to_form(SignUp, params, action="validate")
    assert form.all_errors == {
        "langs": ["Input should be 'py' or 'js'"],
        "address.city": ["String should have at least 2 characters"],
        "phones.0.number": ["String should have at least 3 characters"],
        "phones.0.kind": ["Input should be 'home' or 'work'"],
    }
    (address,) = form["address"].forms
    assert address["city"].errors == ["String should have at least 2 characters"]
    first, second = form["phones"].forms
    assert (first.name, first.index, second.id) == ("sign_up[phones][0]", 0, "sign_up_phones_1")
    assert first["kind"].errors == ["Input should be 'home' or 'work'"]
    assert second.valid and not first.valid
    assert first.errors == {
        "number": ["String should have at least 3 characters"],
        "kind": ["Input should be 'home' or 'work'"],
    }


def test_rows_are_added_and_removed_by_the_sort_and_drop_params() -> None:
    base = {"email": "al@example.org", "name": "Al", "address": {"city": "Paris"}}
    rows = {"0": {"number": "111"}, "1": {"number": "222"}, "2": {"number": "333"}}
    added = to_form(SignUp, {**base, "phones": rows, "phones_sort": ["0", "1", "2", "new"]})
    assert [row["number"].value for row in added["phones"].forms] == ["111", "222", "333", None]
    assert not added["phones"].forms[3].used  # a new row: nothing in it used yet
    assert added.all_errors == {"phones.3.number": ["Field required"]}
    dropped = to_form(SignUp, {**base, "phones": rows, "phones_drop": ["1", ""]})
    assert [p.number for p in dropped.data.phones] == ["111", "333"]
    reordered = to_form(SignUp, {**base, "phones": rows, "phones_sort": ["2", "0"]})
    assert [p.number for p in reordered.data.phones] == ["222", "333", "111"]  # unlisted first
    # every row removed: the drop list alone says the list is there, and empty
    user = SignUp(**base, phones=[Phone(number="999")])
    emptied = to_form(user, {**base, "phones_drop": [""]}, action="validate")
    assert emptied.data.phones == [] and emptied["phones"].forms == []
    assert added["phones"].sort_name == "sign_up[phones_sort][]"
    assert added["phones"].drop_name == "sign_up[phones_drop][]"


def test_inputs_of_each_kind_read_their_params() -> None:
    params = {
        "email": "al@example.org",
        "name": "Al",
        "address": {"city": "Paris"},
        "age": "",  # an empty number input: None, not a parse error
        "seats": "",  # not nullable: a type error, not a crash
        "born": "2001-02-03",
        "agree": "true",  # the hidden "false" then the checkbox's "true": the last wins
        "plan": "team",
        "langs": ["", "js"],  # the multi-select's hidden "" is dropped
    }
    form = to_form(SignUp, params, action="validate")
    assert form.all_errors == {"seats": ["Input should be a valid integer"]}
    assert (
        form["agree"].checked and form["langs"].selected("js") and not form["langs"].selected("py")
    )
    assert form["plan"].selected("team") and form["plan"].selected(Plan.TEAM_PLAN)
    del params["seats"]
    data = to_form(SignUp, params, action="validate").data
    assert data.age is None and data.born == datetime.date(2001, 2, 3) and data.agree is True
    assert data.plan is Plan.TEAM_PLAN and data.langs == ["js"]
    unchecked = to_form(SignUp, {**params, "agree": "false"})
    assert not unchecked["agree"].checked and unchecked.data.agree is False


def test_submit_gives_the_validated_model() -> None:
    params = {"email": "al@example.org", "name": "Al", "address": {"city": "Paris"}}
    form = to_form(SignUp, params, action="submit")
    assert form.valid and form.errors == {}
    assert isinstance(form.data, SignUp) and form.data.address.city == "Paris"
    assert form["address"].forms[0].data == Address(city="Paris")


def test_add_error_for_checks_pydantic_cannot_make() -> None:
    form = to_form(
        SignUp,
        {"email": "al@example.org", "name": "Al", "address": {"city": "Paris"}},
        action="validate",
    )
    assert form.valid
    form.add_error("email", "has already been taken")
    assert not form.valid and form.data is None
    assert form["email"].errors == ["has already been taken"]
    form.add_error("phones.0.number", "is not ours")
    assert form.all_errors["phones.0.number"] == ["is not ours"]
    assert form.errors.get("phones.0.number") is None  # no such row used: not shown


class Passwords(BaseModel):
    password: str = Field(min_length=8)
    confirm: str

    @model_validator(mode="after")
    def same(self) -> Passwords:
        if self.password != self.confirm:
            raise ValueError("passwords do not match")
        return self


class Taken(BaseModel):
    email: str

    @field_validator("email")
    @classmethod
    def free(cls, value: str, info: ValidationInfo) -> str:
        if value in (info.context or {}).get("taken", ()):
            raise ValueError("is already taken")
        return value


def test_model_errors_show_once_submitted_and_validators_get_the_context() -> None:
    params = {"password": "longenough", "confirm": "different"}
    assert to_form(Passwords, params, action="validate").model_errors == []
    form = to_form(Passwords, params, action="submit")
    assert form.model_errors == ["passwords do not match"]
    assert form.all_errors == {"": ["passwords do not match"]}
    taken = to_form(Taken, {"email": "al"}, action="validate", context={"taken": {"al"}})
    assert taken["email"].errors == ["is already taken"]  # "Value error, " is not for humans


def test_a_dict_form_has_values_and_no_validation() -> None:
    form = to_form(
        {"q": "", "page": 1}, {"q": "shoes", "_unused_page": "", "page": "1"}, as_="search"
    )
    assert form["q"].name == "search[q]" and form["q"].value == "shoes"
    assert form.valid and form.data == {"q": "shoes", "page": "1"}
    assert [field.field for field in form] == ["q", "page"]
    assert not form["page"].used and form["other"].value is None
    bare = to_form({"q": ""})
    assert bare["q"].name == "q" and bare["q"].id == "q"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (3, "3"),
        (1.5, "1.5"),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        (datetime.datetime(2026, 1, 2, 9, 30), "2026-01-02T09:30"),
        (datetime.datetime(2026, 1, 2, 9, 30, 5), "2026-01-02T09:30:05"),
        (datetime.time(9, 30), "09:30"),
        (Plan.FREE, "free"),
        (["a", "b"], ""),  # a list where one value belongs: nothing an input could hold
        ({"a": "b"}, ""),
    ],
)
def test_input_value_writes_values_as_inputs_read_them(value: object, text: str) -> None:
    form = to_form({"x": value})
    assert form["x"].input_value == text


# --- params that are not what the model expects: validation errors, never exceptions ---------


def good() -> dict[str, object]:
    return {"email": "al@example.org", "name": "Al", "address": {"city": "Paris"}}


def test_unknown_fields_are_ignored() -> None:
    class Strict(BaseModel, extra="forbid"):
        name: str

    form = to_form(Strict, {"name": "Al", "admin": "true", "_unused_x": "", "x": {"y": "z"}})
    assert form.valid and form.data == Strict(name="Al")
    assert to_form(SignUp, {**good(), "is_admin": "true"}).valid


def test_wrong_types_and_lists_for_scalars_are_validation_errors() -> None:
    params = {
        **good(),
        "name": ["a", "b"],
        "age": {"x": "1"},
        "langs": "py",
        "address": "Paris",
        "phones": "none",
    }
    form = to_form(SignUp, params, action="submit")
    assert form.all_errors == {
        "name": ["Input should be a valid string"],
        "age": ["Input should be a valid integer"],
        "langs": ["Input should be a valid list"],
        "address": ["Input should be a valid dictionary or instance of Address"],
        "phones": ["Input should be a valid list"],
    }
    assert form["name"].input_value == "" and form["name"].value == ["a", "b"]


def test_missing_keys_and_params_that_are_not_a_dict() -> None:
    form = to_form(SignUp, {}, action="submit")
    assert set(form.errors) == {"email", "name", "address"}
    for params in ("signup", ["a"], 3):
        other = to_form(SignUp, params, action="submit")  # type: ignore[arg-type]
        assert set(other.errors) == {"email", "name", "address"}


def test_deep_nesting_is_not_followed_past_the_model() -> None:
    deep: dict[str, object] = {"city": "Paris"}
    for _ in range(1_000):
        deep = {"x": deep}
    form = to_form(SignUp, {**good(), "address": deep, "name": deep}, action="submit")
    assert set(form.all_errors) == {"address.city", "name"}
    assert form["name"].input_value == ""  # not the repr of a 1,000-level dict


def test_ten_thousand_keys_and_a_megabyte_value_are_cheap() -> None:
    wide = {f"k{n}": "v" for n in range(10_000)}
    start = time.perf_counter()
    form = to_form(SignUp, {**good(), **wide, "address": {"city": "Paris", **wide}})
    assert form.valid
    big = to_form(SignUp, {**good(), "email": "a" * 1_048_576, "name": "b" * 1_048_576})
    assert big["email"].errors == [] and list(big.all_errors) == ["email"]
    assert big["name"].value == "b" * 1_048_576
    assert time.perf_counter() - start < 1.0


def test_row_indexes_from_the_client_are_only_strings() -> None:
    base = good()
    rows = {"9" * 5000: {"number": "123"}, "²": {"number": "456"}, "0": {"number": "789"}}
    form = to_form(SignUp, {**base, "phones": rows, "phones_sort": [{"x": 1}, "new"]})
    assert [row["number"].value for row in form["phones"].forms] == ["789", "123", "456", None]


def test_repr_says_what_a_form_holds() -> None:
    assert "valid" in repr(to_form(SignUp, good()))
    assert isinstance(to_form(SignUp), Form)
