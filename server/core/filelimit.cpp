#include "filelimit.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif
#ifdef Q_OS_MACOS
#include <climits> // OPEN_MAX
#endif

#include <algorithm>

namespace FileLimit {

long raiseTo(long wanted)
{
#ifdef Q_OS_UNIX
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < rlim_t(wanted)) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY
            ? rlim_t(wanted)
            : std::min(rlim_t(wanted), limit.rlim_max);
#ifdef Q_OS_MACOS
        raised.rlim_cur = std::min(raised.rlim_cur, rlim_t(OPEN_MAX)); // macOS refuses more
#endif
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? wanted : long(limit.rlim_cur);
#else
    Q_UNUSED(wanted);
    return -1;
#endif
}

} // namespace FileLimit
