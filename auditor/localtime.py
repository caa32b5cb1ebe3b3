"""The bureau's local time: dates in reports and screens, and the default audit round.

The server may run on UTC while the halls are in China: a date taken from the server's clock would put an
audit made at 07:00 in Wuhan on the previous day, and the first eight hours of a quarter in the last one.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone() -> tzinfo:
    """$AUDITOR_TZ, default Asia/Shanghai."""
    name = os.environ.get("AUDITOR_TZ", "Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=8), "UTC+8")  # no tz database on the machine: China has no DST


def local_today() -> date:
    return datetime.now(local_zone()).date()
