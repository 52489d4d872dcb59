"""The chat of a pad through the Etherpad API."""

import time

import pytest

pytestmark = pytest.mark.django_db


def test_chat_head_history_and_messages(api):
    api.ok("createPad", padID="chat")
    author = api.ok("createAuthor", name="Claire")["authorID"]
    assert api.ok("getChatHead", padID="chat") == {"chatHead": -1}
    assert api.ok("getChatHistory", padID="chat") == {"messages": []}
    stamp = 1_700_000_000_123
    for text in ("un", "deux", "trois"):
        api.ok("appendChatMessage", padID="chat", text=text, authorID=author, time=stamp)
        stamp += 1000
    assert api.ok("getChatHead", padID="chat") == {"chatHead": 2}
    messages = api.ok("getChatHistory", padID="chat")["messages"]
    assert messages[0] == {
        "text": "un",
        "userId": author,
        "userName": "Claire",
        "time": 1_700_000_000_123,
    }
    assert [m["text"] for m in messages] == ["un", "deux", "trois"]
    part = api.ok("getChatHistory", padID="chat", start=1, end=2)["messages"]
    assert [m["text"] for m in part] == ["deux", "trois"]


def test_chat_message_without_a_time_is_stamped_now(api):
    api.ok("createPad", padID="chat")
    api.ok("appendChatMessage", padID="chat", text="maintenant")
    (message,) = api.ok("getChatHistory", padID="chat")["messages"]
    assert abs(message["time"] - time.time() * 1000) < 60_000
    assert message["userId"] is None


def test_chat_errors(api):
    api.ok("createPad", padID="chat")
    api.ok("appendChatMessage", padID="chat", text="seul")
    assert api.error("appendChatMessage", padID="chat") == "text is not a string"
    assert api.error("appendChatMessage", padID="absent", text="x") == "padID does not exist"
    assert api.error("appendChatMessage", padID="chat", text="x", authorID="a.x") == (
        "authorID does not exist"
    )
    assert api.error("getChatHead", padID="absent") == "padID does not exist"
    assert api.error("getChatHistory", padID="chat", start=-1, end=0) == "start is below zero"
    assert api.error("getChatHistory", padID="chat", start=0, end=-1) == "end is below zero"
    assert api.error("getChatHistory", padID="chat", start=1, end=0) == "start is higher than end"
    assert api.error("getChatHistory", padID="chat", start=3, end=4) == (
        "start is higher than the current chatHead"
    )
    assert api.error("getChatHistory", padID="chat", start=0, end=4) == (
        "end is higher than the current chatHead"
    )
    assert api.error("getChatHistory", padID="chat", start="x", end=1) == "start is not a number"
