/* placeholder until implemented */
typedef int pcrm__placeholder_time;
