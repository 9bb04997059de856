// FileLimit: every client costs the process one open file. Systems start processes with a low
// limit (256 for a macOS app), so the relay raises its own limit to fit --max-clients.
#pragma once

namespace FileLimit {

/// Raises the soft limit on open files towards @p wanted (never lowers it, never past the
/// hard limit) and returns the limit now in force; -1 where the system has none to read.
long raiseTo(long wanted);

} // namespace FileLimit
