"""The application layer: one function per user action.

An action takes plain values (the `Actor` the update comes from, and what the user asked),
runs everything it reads and writes in one unit of work (`transaction`: one connection, one
transaction), applies the rules of `bot.coach`, and returns a plain result that a view renders.
It never imports Telegram: handlers parse the update, call one action and render its result.
"""
