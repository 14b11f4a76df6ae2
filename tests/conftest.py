"""Settings shared by every test module."""

from __future__ import annotations

import os

from hypothesis import settings

# Property tests: about 100 examples each on a contributor's machine, 1,000 under CI (CI=true).
settings.register_profile("dev", max_examples=100)
settings.register_profile("ci", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))
