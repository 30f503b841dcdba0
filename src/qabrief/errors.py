"""One exception type for everything a user can get wrong; its message is shown as is."""


class QabriefError(ValueError):
    """A problem with the user's input or set-up, with a message that says what to do."""
