"""Domain operations: explicit arguments in, objects out; they flush, callers commit."""


class DomainError(Exception):
    """A rule refused the operation; ``message`` is shown to the person as it is."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
