# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package perf mirrors golang.org/x/perf: tools to work with benchmark data (see benchlib)."""
