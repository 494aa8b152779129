"""Property: whatever a phone sends, in whatever order, every message gets an answer, none is the internal-error
apology, a repeated update is never answered twice, and the database stays consistent."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from tests.fuzzing import fuzz


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
async def test_any_input_is_answered_and_nothing_breaks(app: App, seed: int) -> None:
    report = await fuzz(app.dispatcher, app.sessions, messages=40, users=4, seed=random.Random(seed).randint(0, 10**9))
    assert report.clean, report
