"""Nothing from a group chat reaches the handlers after the private-chats gate, whatever happens
to the "write to me privately" reply: a user's chat is only ever their private chat."""

from __future__ import annotations

import pytest

from bot.db.models import User
from tests.harness import ChatUser, FakeTelegram
from tests.test_onboarding_chat import onboard_uninjured, rows

GROUP = -100_777


@pytest.mark.parametrize("fault", ["retry_after", "blocked", "server_error", "timeout"])
async def test_a_failed_reply_in_a_group_never_rebinds_the_user_to_the_group(
        tg: FakeTelegram, ana: ChatUser, fault: str) -> None:
    await onboard_uninjured(ana)
    in_group = ChatUser(tg, user_id=ana.id, first_name="Ana", chat_id=GROUP, chat_type="group")
    tg.api.fail("sendMessage", fault, chat_id=GROUP)
    reply = await in_group.send("/export")
    await in_group.send("/stats")
    [user] = await rows(tg, User, ana.id)
    assert user.chat_id == ana.id
    # Nothing but the one (failed) "write to me privately" attempt went to the group.
    to_group = [c for c in reply.calls if str(c.params.get("chat_id")) == str(GROUP)]
    assert [c.method for c in to_group] in ([], ["sendMessage"])
    assert not any(c.method == "sendDocument" for c in tg.api.calls)


async def test_a_group_is_never_remembered_even_when_the_reply_works(
        tg: FakeTelegram, ana: ChatUser) -> None:
    in_group = ChatUser(tg, user_id=ana.id, first_name="Ana", chat_id=GROUP, chat_type="group")
    reply = await in_group.send("hello coach")
    assert "Write to me privately" in reply.text
    assert await rows(tg, User, ana.id) == []  # a group message creates no user either
    await ana.send("/start")
    [user] = await rows(tg, User, ana.id)
    assert user.chat_id == ana.id
