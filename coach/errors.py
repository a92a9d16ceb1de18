"""One exception tree for the whole coach; the HTTP status lives on the class.

    CoachError (500)
    ├── InvalidInput (422)
    │   ├── EmptyAnswer (422)
    │   ├── AnswerNotText (422)
    │   └── AnswerTooLong (413)
    ├── RubricError (500)          a rubric file is invalid; names file and criterion
    ├── NotFound (404)
    │   ├── UnknownQuestion (404)  the message lists the valid ids
    │   ├── UnknownInterview (404)
    │   └── UnknownAttempt (404)
    ├── Unauthorized (401)
    │   └── LoginRequired (401)    pages answer with a redirect to /review/login instead
    ├── Forbidden (403)
    │   └── CsrfFailed (403)       a form without this site's CSRF token
    ├── Conflict (409)
    │   └── InterviewClosed (409)
    ├── TooManyRequests (429)
    └── SchemaBehind (500)         the database needs `coach db upgrade`

Web handlers render these as JSON under /api and as pages elsewhere; the CLI prints the
message and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable


class CoachError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CoachError):
    status_code = 422
    code = "invalid_input"


class EmptyAnswer(InvalidInput):
    code = "empty_answer"

    def __init__(self) -> None:
        super().__init__("The answer is empty: write your answer before submitting.")


class AnswerNotText(InvalidInput):
    code = "answer_not_text"


class AnswerTooLong(InvalidInput):
    status_code = 413
    code = "answer_too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The answer is {length:,} characters long; the limit is {limit:,}. "
            "Shorten it and submit again."
        )
        self.length = length
        self.limit = limit


class RubricError(CoachError):
    code = "rubric_error"


class NotFound(CoachError):
    status_code = 404
    code = "not_found"


class UnknownQuestion(NotFound):
    code = "unknown_question"

    def __init__(self, question_id: str, valid: Iterable[str]) -> None:
        ids = ", ".join(sorted(valid))
        super().__init__(f"Unknown question {question_id!r}. Valid question ids: {ids}.")
        self.question_id = question_id


class UnknownInterview(NotFound):
    code = "unknown_interview"


class UnknownAttempt(NotFound):
    code = "unknown_attempt"


class Unauthorized(CoachError):
    status_code = 401
    code = "unauthorized"


class LoginRequired(Unauthorized):
    code = "login_required"


class Forbidden(CoachError):
    status_code = 403
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "This form expired or did not come from this site (CSRF check failed). "
            "Reload the page and try again."
        )


class Conflict(CoachError):
    status_code = 409
    code = "conflict"


class InterviewClosed(Conflict):
    code = "interview_closed"


class TooManyRequests(CoachError):
    status_code = 429
    code = "too_many_requests"


class SchemaBehind(CoachError):
    code = "schema_behind"
