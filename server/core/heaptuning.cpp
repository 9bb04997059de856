#include "heaptuning.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace HeapTuning {

void keepFreedMemory()
{
#ifdef __GLIBC__
    // Setting the trim threshold also fixes the mmap threshold (glibc otherwise adapts it), so
    // both are set: blocks under 4 MiB (a client's whole output budget) come from the heap, and
    // up to 16 MiB of free heap is kept.
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
#endif
}

} // namespace HeapTuning
