"""The one error type the domain raises; the wire layers turn it into an error payload."""


class DomainError(Exception):
    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
