duban_store_tests::behaviour_suite!(duban_store_tests::postgres);
