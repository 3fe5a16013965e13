/*
 * crashsite.h - where the submission's code was when a signal killed it,
 * for a CRASH verdict a student can act on ("at 0x... in map_file
 * (memory_mapper.c:42), called from driver_call").
 *
 * The checker sees every signal the driver gets (remote.c traces it): at
 * the stop of a fatal-looking one it captures the registers, a few frames
 * of the frame-pointer chain (the submission is compiled with
 * -fno-omit-frame-pointer; a frame that leaves the driver's executable ends
 * the walk) and which file each address belongs to. Symbols are looked up
 * only if the driver then dies of it, with addr2line (binutils, which the
 * compiler needs anyway); without it, addresses in the file are given.
 */
#ifndef MM_CRASHSITE_H
#define MM_CRASHSITE_H

#include <sys/types.h>

/* At a signal-delivery-stop of `pid` for `sig`: remember where it is. */
void mm_crash_capture(pid_t pid, int sig);

/* The last capture, symbolized: "at ADDRESS in FUNCTION (FILE:LINE),
 * called from ...", or "" when nothing was captured. Forgets it. */
const char *mm_crash_site(void);

#endif
