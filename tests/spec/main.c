#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include "memory_mapper.h"

void test_map_file(void) {
    // Create test file
    FILE *f = fopen("/tmp/mmap_test.txt", "w");
    fprintf(f, "Test content for mmap");
    fclose(f);

    t_mapping *m = map_file("/tmp/mmap_test.txt", 0);
    assert(m != NULL);
    assert(m->addr != NULL);
    assert(strncmp(m->addr, "Test content", 12) == 0);
    assert(unmap(m) == 0);

    unlink("/tmp/mmap_test.txt");
    printf("Test map_file: OK\n");
}

void test_anonymous_private(void) {
    t_mapping *m = map_anonymous(4096, 0);
    assert(m != NULL);
    assert(m->addr != NULL);

    strcpy(m->addr, "Private data");

    pid_t pid = fork();
    if (pid == 0) {
        // Child modifies
        strcpy(m->addr, "Modified");
        unmap(m);
        exit(0);
    }

    wait(NULL);
    // Parent should still see original (private mapping)
    assert(strcmp(m->addr, "Private data") == 0);
    unmap(m);
    printf("Test anonymous_private: OK\n");
}

void test_anonymous_shared(void) {
    t_mapping *m = map_anonymous(4096, 1);
    assert(m != NULL);

    strcpy(m->addr, "Shared data");

    pid_t pid = fork();
    if (pid == 0) {
        sleep(1);
        strcpy(m->addr, "Modified by child");
        unmap(m);
        exit(0);
    }

    sleep(2);
    // Parent should see child's modification (shared mapping)
    assert(strcmp(m->addr, "Modified by child") == 0);
    wait(NULL);
    unmap(m);
    printf("Test anonymous_shared: OK\n");
}

void test_shared_region(void) {
    const char *name = "/test_shm_region";

    t_mapping *m1 = create_shared_region(name, 4096);
    assert(m1 != NULL);

    strcpy(m1->addr, "Hello SHM");

    t_mapping *m2 = attach_shared_region(name, 0);
    assert(m2 != NULL);
    assert(strcmp(m2->addr, "Hello SHM") == 0);

    unmap(m2);
    unmap(m1);
    destroy_shared_region(name);
    printf("Test shared_region: OK\n");
}

int main(void) {
    test_map_file();
    test_anonymous_private();
    test_anonymous_shared();
    test_shared_region();

    printf("\nAll tests passed!\n");
    return 0;
}
