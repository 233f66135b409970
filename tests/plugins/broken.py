"""A plugin whose own code fails while it is imported (not a missing module: a bug in it)."""

raise RuntimeError("this plugin cannot start\nsecond line of the plugin's message")
