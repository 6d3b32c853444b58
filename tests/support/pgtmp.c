typedef int pcrm__placeholder_pgtmp;
