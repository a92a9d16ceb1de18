"""The optional LLM judge: a second opinion beside the deterministic grade.

`prompt` and `verdicts` are pure (build the request, parse the reply); `client` is the only
module in the coach that makes outbound HTTP calls. Anything that goes wrong (timeout, HTTP
error, a reply that is not the JSON we asked for, a quote that is not in the answer) becomes an
*unscored* verdict with a reason, never a silent "not met".
"""

from coach.judge.client import JudgeClient, judge_http
from coach.judge.prompt import build_messages
from coach.judge.verdicts import JudgeResult, JudgeVerdict, parse_reply, unscored_result

__all__ = [
    "JudgeClient",
    "JudgeResult",
    "JudgeVerdict",
    "build_messages",
    "judge_http",
    "parse_reply",
    "unscored_result",
]
