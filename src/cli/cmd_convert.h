/* clearly convert: between directory, tarball, SquashFS and storage. Part
   of the program clearly-image only. */
#ifndef CL_CMD_CONVERT_H
#define CL_CMD_CONVERT_H

/* argv[0] is "convert". Returns the exit status. */
int cmd_convert(int argc, char **argv);

#endif
