"""Write the effective endpoints file from endpoints.yml and environment variables.

Rasa substitutes ``${VAR}`` in endpoints.yml only when the variable is set, so the choices below are
made here instead, by ``scripts/serve.sh`` (and by the tests, which start real servers):

    ACTION_HOST, ACTION_PORT      where the action server listens (127.0.0.1, 5055)
    TRACKER_STORE                 sqlite (default) | postgresql | memory
    TRACKER_SQLITE_PATH           SQLite file (var/tracker.db)
    TRACKER_DB_HOST, TRACKER_DB_PORT, TRACKER_DB_NAME, TRACKER_DB_USER, TRACKER_DB_PASSWORD
                                  PostgreSQL (localhost, 5432, rasa, rasa, none)
    TRACKER_DB_CONNECT_TIMEOUT    seconds to wait for the database at start-up (20)
    LOCK_STORE                    memory (default) | redis
    REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD
                                  Redis lock store (localhost, 6379, 1, none)

Passwords are never written to the file: it says ``${TRACKER_DB_PASSWORD}`` / ``${REDIS_PASSWORD}``
and the Rasa server reads them from its environment.

Usage: python scripts/make_endpoints.py OUTPUT
"""

from __future__ import annotations

import os
import pathlib
import sys
from typing import Any, Dict, Mapping, Optional

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRACKER_CLASS = "stores.tracker_store.ForgettingSQLTrackerStore"
MEMORY_CLASS = "stores.tracker_store.ForgettingInMemoryTrackerStore"


class ConfigError(ValueError):
    pass


def tracker_store(env: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    kind = env.get("TRACKER_STORE", "sqlite").strip().lower()
    timeout = float(env.get("TRACKER_DB_CONNECT_TIMEOUT", "20"))
    if kind == "memory":
        return {"type": MEMORY_CLASS}
    if kind == "sqlite":
        return {"type": TRACKER_CLASS, "dialect": "sqlite", "db": env.get("TRACKER_SQLITE_PATH", "var/tracker.db")}
    if kind in ("postgresql", "postgres"):
        store: Dict[str, Any] = {
            "type": TRACKER_CLASS,
            "dialect": "postgresql",
            "url": env.get("TRACKER_DB_HOST", "localhost"),
            "port": int(env.get("TRACKER_DB_PORT", "5432")),
            "db": env.get("TRACKER_DB_NAME", "rasa"),
            "username": env.get("TRACKER_DB_USER", "rasa"),
            "connect_timeout": timeout,
        }
        if env.get("TRACKER_DB_PASSWORD"):
            store["password"] = "${TRACKER_DB_PASSWORD}"
        return store
    raise ConfigError(f"TRACKER_STORE={kind!r}: use sqlite, postgresql or memory")


def lock_store(env: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    kind = env.get("LOCK_STORE", "memory").strip().lower()
    if kind == "memory":
        return None
    if kind == "redis":
        store: Dict[str, Any] = {
            "type": "redis",
            "url": env.get("REDIS_HOST", "localhost"),
            "port": int(env.get("REDIS_PORT", "6379")),
            "db": int(env.get("REDIS_DB", "1")),
        }
        if env.get("REDIS_PASSWORD"):
            store["password"] = "${REDIS_PASSWORD}"
        return store
    raise ConfigError(f"LOCK_STORE={kind!r}: use memory or redis")


def endpoints(env: Mapping[str, str]) -> Dict[str, Any]:
    config: Dict[str, Any] = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    host, port = env.get("ACTION_HOST", "127.0.0.1"), env.get("ACTION_PORT", "5055")
    config["action_endpoint"] = {**(config.get("action_endpoint") or {}), "url": f"http://{host}:{port}/webhook"}
    for key, value in (("tracker_store", tracker_store(env)), ("lock_store", lock_store(env))):
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        config = endpoints(os.environ)
    except (ConfigError, ValueError) as error:
        print(f"make_endpoints: {error}", file=sys.stderr)
        return 2
    out = pathlib.Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
