/*
 * check.h - how a test is declared: Test(suite, name) { body }.
 *
 * The checker's own registry (tests/runner.c runs it). The syntax is
 * Criterion's, but nothing of Criterion is in the checker: its runner and
 * workers talk over a socket in /tmp and objects in /dev/shm, which code
 * of the submission's uid could reach; the checker's only channels are
 * inherited descriptors and memory it shares with no one else.
 */
#ifndef MM_CHECK_H
#define MM_CHECK_H

struct mm_test {
    const char *suite;
    const char *name;
    void (*body)(void);
    const char *file; /* where it is written: tests run in that order */
    int line;
};

/* Every Test() puts a pointer to its descriptor in section mm_tests; the
 * linker's __start_/__stop_ symbols delimit them. */
#define Test(suite, name)                                                        \
    static void suite##__##name(void);                                           \
    static const struct mm_test suite##__##name##_test = {                       \
        #suite, #name, suite##__##name, __FILE__, __LINE__};                     \
    __attribute__((used, section("mm_tests"))) static const struct mm_test       \
        *const suite##__##name##_ptr = &suite##__##name##_test;                  \
    static void suite##__##name(void)

#endif
