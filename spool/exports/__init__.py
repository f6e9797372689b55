"""A person's copy of their own data (Settings → Account → Download your data)."""
