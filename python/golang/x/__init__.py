# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package x holds extra, experimental packages, mirroring golang.org/x (as Pygolang does)."""
