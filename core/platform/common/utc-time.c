/*
 * UTC calendar time for the engine, on every platform: the image runs in UTC (there is no time
 * zone database), so local time is UTC. On the process target these definitions take the place
 * of the C library's: glibc's gmtime_r and localtime_r read the TZ setting and open
 * /etc/localtime on first use, a system call outside the seccomp allow-list (Date's getHours,
 * toString and getTimezoneOffset ended the instance with SIGSYS).
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
struct tm *gmtime_r(const time_t *restrict t, struct tm *restrict tm) {
  int64_t secs = *t, days = secs / 86400, rem = secs % 86400;
  if (rem < 0) { rem += 86400; days--; }
  tm->tm_hour = (int)(rem / 3600);
  tm->tm_min = (int)(rem % 3600 / 60);
  tm->tm_sec = (int)(rem % 60);
  tm->tm_wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  tm->tm_year = (int)(y - 1900);
  tm->tm_mon = (int)(m - 1);
  tm->tm_mday = (int)d;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  tm->tm_yday = before[m - 1] + (int)d - 1 + (leap && m > 2);
  tm->tm_isdst = 0;
  tm->tm_gmtoff = 0;
  tm->tm_zone = "UTC";
  return tm;
}

/* Local time is UTC. */
struct tm *localtime_r(const time_t *restrict t, struct tm *restrict tm) { return gmtime_r(t, tm); }

