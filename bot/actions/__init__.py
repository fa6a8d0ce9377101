"""The application layer: one function per user action.

An action takes plain values (the `Actor` the update comes from, and what the user asked),
runs everything it reads and writes in one unit of work, applies the rules of `bot.coach`, and
returns a plain result that a view renders. It never imports Telegram: handlers parse the
update, call one action and render its result with a view from `bot.telegram.views`.

How to write one (see `bot/actions/account.py` for a small example):
- open the unit of work with `async with transaction(services, actor) as unit:`
  (`bot/actions/actor.py`); it first writes what the per-update gate learnt about the user
  (`actor.presence`), so a whole update costs at most one write transaction;
- pass `unit=unit` to every repository call (`services.users`, `.profiles`, `.logs`, ...: all
  built once on `Services`); repositories hold SQL only, rules live in `bot.coach`;
- never await the network inside the block; when the id of a message sent afterwards must be
  stored, the handler sends first and then calls the action that writes it, still one
  transaction;
- callback data is built and read with `bot.telegram.views.callbacks` (`Button`, `decode`),
  and messages are edited with `bot.telegram.views.edits.quiet_edit`;
- `tests/transactions.py` (`TransactionCounter`) proves the one-transaction rule per action.
"""
