"""Run `rasa data validate` and fail on any warning, except responses that actions send.

Rasa's validator cannot see responses sent from custom actions (``response="utter_..."``) and
warns that they are unused. This lists those responses from the action code and accepts exactly
those warnings; any other warning, or a response that no rule, story or action uses, fails.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
sys.path.insert(0, str(ROOT))
from core.names import COMPONENT_INTENTS  # noqa: E402  (set by components/red_flags.py, not learnt)

NO_EXAMPLES = re.compile(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data")


def responses_sent_by_actions() -> set[str]:
    found: set[str] = set()
    for path in [p for folder in ("actions", "components", "core", "patches") for p in (ROOT / folder).glob("*.py")]:
        found |= set(re.findall(r"(?:response=|_RESPONSE = )\"(utter_\w+)\"", path.read_text(encoding="utf-8")))
    return found


def form_questions() -> set[str]:
    """``utter_ask_<slot>`` responses of the forms' required slots: the forms send them."""
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    forms = domain.get("forms") or {}
    return {f"utter_ask_{slot}" for form in forms.values() for slot in form.get("required_slots") or []}


def main() -> int:
    rasa = pathlib.Path(sys.executable).parent / "rasa"
    proc = subprocess.run([str(rasa), "data", "validate"], cwd=ROOT, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    allowed = responses_sent_by_actions() | form_questions()
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        m = UNUSED.search(line)
        if m and m.group(1) in allowed:
            continue
        m = NO_EXAMPLES.search(line)
        if m and m.group(1) in COMPONENT_INTENTS:
            continue
        problems.append(line.split("UserWarning:", 1)[-1].strip())
    if proc.returncode != 0 or problems:
        print(output[-5000:], file=sys.stderr)
        for p in problems:
            print(f"validation warning: {p}", file=sys.stderr)
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    print(f"rasa data validate: clean ({len(allowed)} responses are sent by actions: {', '.join(sorted(allowed))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
