"""The one exception type for user mistakes.

Launchers catch `UserError` and print its message without a traceback; every
message says what went wrong and what to do about it, in the project's words.
The library text behind it, if any, is its `detail`, printed with --verbose.
"""


class UserError(Exception):
  """A mistake the user can fix: a bad name, a bad config value, missing data."""

  def __init__(self, message: str, detail: str | None = None):
    super().__init__(message)
    self.detail = detail
