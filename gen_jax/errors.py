"""The one exception type for user mistakes.

Launchers catch `UserError` and print its message without a traceback; every
message says what went wrong and what to do about it.
"""


class UserError(Exception):
  """A mistake the user can fix: a bad name, a bad config value, missing data."""
