/* clearly image: import, list, delete, storage-path. Part of the program
   clearly-image only; the work is in the image_*.h and tree_*.h files. */
#ifndef CL_CMD_IMAGE_H
#define CL_CMD_IMAGE_H

/* argv[0] is "image". Returns the exit status. */
int cmd_image(int argc, char **argv);

#endif
