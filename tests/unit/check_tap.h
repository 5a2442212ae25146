/*
 * check_tap.h: the main() every Check suite shares.  Results go to stdout as
 * TAP, which the build's test driver counts test by test.
 */
#ifndef TNFS_CHECK_TAP_H
#define TNFS_CHECK_TAP_H

#include <check.h>
#include <stdlib.h>

#define TNFS_CHECK_MAIN(make_suite)                                            \
	int main(void)                                                         \
	{                                                                      \
		SRunner *sr = srunner_create(make_suite());                    \
		int failed;                                                    \
                                                                               \
		srunner_set_tap(sr, "-");                                      \
		srunner_run_all(sr, CK_SILENT);                                \
		failed = srunner_ntests_failed(sr);                            \
		srunner_free(sr);                                              \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;              \
	}

#endif
