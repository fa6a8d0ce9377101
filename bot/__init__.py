"""CrossCoach: a Telegram bot that coaches runners through cross-training."""
