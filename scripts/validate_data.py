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


def responses_sent_by_actions() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "actions").glob("*.py"), *(ROOT / "addons").glob("*.py")]:
        found |= set(re.findall(r"(?:response=|_RESPONSE = )\"(utter_\w+)\"", path.read_text(encoding="utf-8")))
    return found


def main() -> int:
    rasa = pathlib.Path(sys.executable).parent / "rasa"
    proc = subprocess.run([str(rasa), "data", "validate"], cwd=ROOT, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    allowed = responses_sent_by_actions()
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        m = UNUSED.search(line)
        if m and m.group(1) in allowed:
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
