/* placeholder until implemented */
typedef int pcrm__placeholder_actor;
