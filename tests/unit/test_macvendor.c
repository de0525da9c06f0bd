/* SPDX-License-Identifier: MIT */
/* MAC vendor lookup (macvendor.h): our own small registry files, good
 * (tests/unit/data/macvendor/good) and hostile (.../hostile, .../junk, and
 * files generated here), then the registry Debian's ieee-data installs. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macvendor.h"

#ifndef PORTSCOUT_TEST_DATA
#error "PORTSCOUT_TEST_DATA (path of tests/unit/data) must be defined"
#endif

#define DATA PORTSCOUT_TEST_DATA "/macvendor"

static struct macvendor *load_ok(const char *dir)
{
    char err[256] = "";
    struct macvendor *mv = macvendor_load(dir, err, sizeof err);
    if (!mv)
        fail_msg("macvendor_load(%s): %s", dir ? dir : "NULL", err);
    return mv;
}

/* The vendor of a MAC written "aa:bb:cc:dd:ee:ff". */
static const char *vendor(const struct macvendor *mv, const char *text)
{
    unsigned b[6];
    uint8_t mac[6];
    assert_int_equal(sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]),
                     6);
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return macvendor_lookup(mv, mac);
}

#define assert_vendor(mv, mac, want)                                                       \
    do {                                                                                   \
        const char *got_ = vendor((mv), (mac));                                            \
        if (!got_ || strcmp(got_, (want)) != 0)                                            \
            fail_msg("%s: got \"%s\", want \"%s\"", (mac), got_ ? got_ : "(null)", (want)); \
    } while (0)

#define assert_no_vendor(mv, mac)                                                          \
    do {                                                                                   \
        const char *got_ = vendor((mv), (mac));                                            \
        if (got_)                                                                          \
            fail_msg("%s: got \"%s\", want none", (mac), got_);                            \
    } while (0)

static void test_good(void **state)
{
    (void)state;
    struct macvendor *mv = load_ok(DATA "/good");
    /* 11 MA-L records, one a duplicate; 2 MA-M; 2 MA-S; 1 IAB */
    assert_int_equal(macvendor_count(mv), 10 + 2 + 2 + 1);
    /* quoted names with commas and doubled quotes; CRLF line ends; the
     * first of two records for a prefix; names trimmed */
    assert_vendor(mv, "00:16:3e:12:34:56", "Xensource, Inc.");
    assert_vendor(mv, "00:16:3E:FF:FF:FF", "Xensource, Inc.");
    assert_vendor(mv, "00:1e:fc:00:00:01", "JSC \"MASSA-K\"");
    assert_vendor(mv, "a0:b1:c2:00:00:00", "Lower Case Hex Ltd");
    assert_vendor(mv, "00:00:00:00:00:00", "XEROX CORPORATION");
    assert_vendor(mv, "fc:ff:ff:ff:ff:ff", "Top Of The Range Inc");
    /* an address spread over lines, and the record after it */
    assert_vendor(mv, "0c:0c:0c:01:02:03", "Multi Line Address Co");
    assert_vendor(mv, "0d:0d:0d:01:02:03", "After The Multi Line");
    /* the longest prefix wins: 36 over 28 over 24 bits */
    assert_vendor(mv, "70:b3:d5:f2:f0:00", "TELEPLATFORMS");
    assert_vendor(mv, "70:b3:d5:f2:ff:ff", "TELEPLATFORMS");
    assert_vendor(mv, "70:b3:d5:f2:e0:00", "Twenty Eight Bit Holder");
    assert_vendor(mv, "70:b3:d5:ff:ff:ff", "Twenty Eight Bit Holder");
    assert_vendor(mv, "70:b3:d5:71:90:01", "2M Technology");
    assert_vendor(mv, "70:b3:d5:71:a0:01", "IEEE Registration Authority");
    assert_vendor(mv, "70:b3:d5:00:00:00", "IEEE Registration Authority");
    assert_vendor(mv, "20:85:93:b1:23:45", "IOG Products LLC");
    assert_vendor(mv, "20:85:93:c0:00:00", "IEEE Registration Authority");
    assert_vendor(mv, "00:50:c2:00:0f:ff", "T.L.S. Corp.");
    /* unlisted; the prefix's neighbours; multicast of a listed OUI */
    assert_no_vendor(mv, "00:50:c2:00:10:00");
    assert_no_vendor(mv, "00:16:3d:ff:ff:ff");
    assert_no_vendor(mv, "00:16:3f:00:00:00");
    assert_no_vendor(mv, "01:16:3e:00:00:01");
    assert_no_vendor(mv, "10:20:30:40:50:60");
    /* locally administered: never, even when the rest matches */
    assert_no_vendor(mv, "02:16:3e:12:34:56");
    assert_no_vendor(mv, "fe:ff:ff:ff:ff:ff");
    assert_no_vendor(mv, "a2:b1:c2:00:00:00");
    assert_no_vendor(mv, "02:c0:8c:00:00:01"); /* listed (an old assignment), yet local */
    /* the string stays put; NULL arguments */
    assert_ptr_equal(vendor(mv, "00:16:3e:00:00:01"), vendor(mv, "00:16:3e:00:00:02"));
    static const uint8_t xen[6] = {0x00, 0x16, 0x3e, 1, 2, 3};
    assert_null(macvendor_lookup(NULL, xen));
    assert_null(macvendor_lookup(mv, NULL));
    macvendor_free(mv);
    macvendor_free(NULL);
}

static void test_hostile(void **state)
{
    (void)state;
    struct macvendor *mv = load_ok(DATA "/hostile");
    /* only the valid records load, even those after a quote left open */
    assert_int_equal(macvendor_count(mv), 4);
    assert_vendor(mv, "11:11:11:00:00:00", "Valid One");
    assert_vendor(mv, "a8:aa:aa:00:00:00", "Valid Two");
    macvendor_free(mv);
}

/* Write text into dir/name. */
static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"};
    char path[512];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void test_hostile_fixture_records(void **state)
{
    (void)state;
    struct macvendor *mv = load_ok(DATA "/hostile");
    assert_vendor(mv, "cc:cc:cc:00:00:00", "Valid Three After Open Quote");
    assert_vendor(mv, "e8:e8:e8:00:00:00", "Fully Quoted Fields");
    /* each malformed record: bad hex, wrong length for its registry,
     * unknown registry, empty or blank name, missing fields, text after a
     * closing quote, a quote never closed (mid-file and at the end) */
    static const char *const bad[] = {
        "20:00:20:00:00:00", "30:30:30:00:00:00", "00:30:30:30:00:00", "44:44:44:00:00:00",
        "54:54:54:00:00:00", "64:64:64:00:00:00", "74:74:74:00:00:00", "78:78:78:00:00:00",
        "88:88:88:00:00:00", "98:98:98:00:00:00", "b8:b8:b8:00:00:00", "01:d1:d1:00:00:00",
        "1c:1c:00:00:00:00", "01:c1:c0:00:00:00", "f8:ff:fe:00:00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        /* none of them local, or the test would prove nothing */
        assert_int_equal(strtoul(bad[i], NULL, 16) & 2, 0);
        assert_no_vendor(mv, bad[i]);
    }
    macvendor_free(mv);
}

static void test_generated(void **state)
{
    (void)state;
    char dir[] = "/tmp/portscout-macvendor-XXXXXX";
    assert_non_null(mkdtemp(dir));
    size_t big = 100000, cap = 2 * big + 100000;
    char *text = malloc(cap);
    assert_non_null(text);

    /* a huge unquoted name, a huge address, a huge quoted field never
     * closed: each costs its own record and no more */
    size_t n = 0;
    n += (size_t)sprintf(text + n, "MA-L,101010,");
    memset(text + n, 'N', big);
    n += big;
    n += (size_t)sprintf(text + n, ",Addr\nMA-L,202020,Huge Address Follows,");
    memset(text + n, 'A', big);
    n += big;
    n += (size_t)sprintf(text + n, "\nMA-L,303030,\"Open ");
    for (size_t i = 0; i < 2000; i++)
        n += (size_t)sprintf(text + n, "filler line %zu,\n", i);
    n += (size_t)sprintf(text + n, "MA-L,404040,Survivor,Addr\n");
    /* NUL bytes: in a name it ends the name, in hex it is not hex */
    static const char nul[] = "MA-L,505050,Nul\0Name,Addr\nMA-L,60\00060,Nul Hex,Addr\n";
    memcpy(text + n, nul, sizeof nul - 1);
    n += sizeof nul - 1;
    write_file(dir, "oui.csv", text, n);
    struct macvendor *mv = load_ok(dir);
    assert_no_vendor(mv, "10:10:10:00:00:00");
    assert_no_vendor(mv, "20:20:20:00:00:00");
    assert_no_vendor(mv, "30:30:30:00:00:00");
    assert_vendor(mv, "40:40:40:00:00:00", "Survivor");
    assert_vendor(mv, "50:50:50:00:00:00", "Nul");
    assert_no_vendor(mv, "60:00:60:00:00:00");
    assert_int_equal(macvendor_count(mv), 2);
    macvendor_free(mv);

    /* many valid lines after a quote left open all load */
    n = (size_t)sprintf(text, "MA-L,000001,\"Never closed,Addr\n");
    for (unsigned i = 0; i < 1000; i++)
        n += (size_t)sprintf(text + n, "MA-L,%06X,Vendor %u,Addr\n", 0x100000 + i * 16, i);
    write_file(dir, "oui.csv", text, n);
    mv = load_ok(dir);
    assert_int_equal(macvendor_count(mv), 1000);
    assert_vendor(mv, "10:3e:70:00:00:00", "Vendor 999");
    assert_no_vendor(mv, "00:00:01:00:00:00");
    macvendor_free(mv);

    /* an empty file, and one larger than any registry: nothing loads */
    write_file(dir, "oui.csv", "", 0);
    char err[256] = "";
    assert_null(macvendor_load(dir, err, sizeof err));
    assert_contains(err, "no valid entries");
    char path[512];
    snprintf(path, sizeof path, "%s/oui.csv", dir);
    assert_int_equal(truncate(path, (off_t)65 << 20), 0);
    err[0] = '\0';
    assert_null(macvendor_load(dir, err, sizeof err));
    assert_contains(err, "cannot read");
    assert_contains(err, strerror(EFBIG));
    free(text);
    remove_dir(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char err[256] = "";
    /* no registry files there */
    assert_null(macvendor_load(DATA "/does-not-exist", err, sizeof err));
    assert_contains(err, "cannot read");
    assert_contains(err, "does-not-exist");
    assert_contains(err, strerror(ENOENT));
    /* files of nothing but junk */
    assert_null(macvendor_load(DATA "/junk", err, sizeof err));
    assert_contains(err, "no valid entries");
    /* a small or missing error buffer is fine */
    char small[8];
    assert_null(macvendor_load(DATA "/junk", small, sizeof small));
    assert_int_equal(strlen(small), 7);
    assert_null(macvendor_load(DATA "/junk", NULL, 0));
}

static void test_environment(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(setenv("PORTSCOUT_IEEE_DATA", DATA "/good", 1), 0);
    struct macvendor *mv = load_ok(NULL);
    assert_int_equal(macvendor_count(mv), 15);
    macvendor_free(mv);
    mv = load_ok("");
    assert_int_equal(macvendor_count(mv), 15);
    macvendor_free(mv);
    /* a directory given wins over the environment */
    mv = load_ok(DATA "/hostile");
    assert_int_equal(macvendor_count(mv), 4);
    macvendor_free(mv);
    assert_int_equal(setenv("PORTSCOUT_IEEE_DATA", DATA "/does-not-exist", 1), 0);
    assert_null(macvendor_load(NULL, err, sizeof err));
    assert_contains(err, "does-not-exist");
    assert_int_equal(unsetenv("PORTSCOUT_IEEE_DATA"), 0);
}

/* The registry ieee-data installs, as it reads in 2022's package: a few
 * prefixes of each length, checked against the files by hand. */
static void test_installed_registry(void **state)
{
    (void)state;
    struct stat st;
    if (stat(MACVENDOR_DEFAULT_DIR "/oui.csv", &st) != 0) {
        print_message("no %s/oui.csv (package ieee-data): skipped\n", MACVENDOR_DEFAULT_DIR);
        skip();
    }
    unsetenv("PORTSCOUT_IEEE_DATA");
    struct macvendor *mv = load_ok(NULL);
    assert_true(macvendor_count(mv) > 30000);
    assert_vendor(mv, "00:16:3e:12:34:56", "Xensource, Inc.");
    assert_vendor(mv, "00:00:0c:07:ac:01", "Cisco Systems, Inc");
    assert_vendor(mv, "08:00:27:00:00:01", "PCS Systemtechnik GmbH");
    assert_vendor(mv, "20:85:93:b0:00:01", "IOG Products LLC");         /* MA-M */
    assert_vendor(mv, "70:b3:d5:f2:f0:01", "TELEPLATFORMS");            /* MA-S */
    assert_vendor(mv, "00:50:c2:00:00:01", "T.L.S. Corp.");             /* IAB */
    assert_vendor(mv, "70:b3:d5:00:00:00", "IEEE Registration Authority"); /* MA-L */
    assert_no_vendor(mv, "02:42:ac:11:00:02"); /* a Docker address: local */
    assert_no_vendor(mv, "02:c0:8c:00:00:01"); /* listed for 3COM, yet local */
    macvendor_free(mv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),       cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_hostile_fixture_records),
        cmocka_unit_test(test_generated),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_environment), cmocka_unit_test(test_installed_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
