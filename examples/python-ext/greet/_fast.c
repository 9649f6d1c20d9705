#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <ctype.h>

/* Upper-cases a string: a stand-in for a hot loop worth writing in C. */
static PyObject *shout(PyObject *self, PyObject *args) {
    const char *text;
    if (!PyArg_ParseTuple(args, "s", &text)) {
        return NULL;
    }
    size_t n = strlen(text);
    char *buf = PyMem_Malloc(n + 1);
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = (char)toupper((unsigned char)text[i]);
    }
    buf[n] = '\0';
    PyObject *out = PyUnicode_FromString(buf);
    PyMem_Free(buf);
    return out;
}

static PyMethodDef methods[] = {
    {"shout", shout, METH_VARARGS, "Upper-case a string."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fast(void) { return PyModule_Create(&module); }
