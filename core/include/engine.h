/* The engine's entry (core/js/engine.c), called by a platform once hw.h is ready. */
#ifndef NIMBUS_ENGINE_H
#define NIMBUS_ENGINE_H
/* Loads the image's payload (hw_boot()->payload), runs the program and ends with hw_exit. */
__attribute__((noreturn)) void js_run(void);
#endif
