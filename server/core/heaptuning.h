// HeapTuning: how a relay process asks the C library to manage its heap. Called once by the
// main() of each program that runs a RelayServer, before it starts; not by the core itself,
// because it applies to the whole process.
#pragma once

namespace HeapTuning {

/// Keeps freed memory for reuse instead of giving it back to the system at once. glibc returns
/// memory as soon as 128 KiB are free at the top of the heap, and the relay frees a 64 KiB read
/// buffer on every read: it would shrink and grow the heap (a system call each) twice per read,
/// which halves its speed with one busy sender. Does nothing where the C library is not glibc.
void keepFreedMemory();

} // namespace HeapTuning
