{
  "targets": [
    {
      "target_name": "simclr_native",
      "sources": [
        "native/addon.cc",
        "native/malloc_tuning.cc",
        "native/tensor_handle.cc",
        "native/ivalue_convert.cc",
        "native/dispatch.cc",
        "native/tensor_data.cc",
        "native/autograd.cc",
        "native/runtime.cc",
        "native/autocast.cc",
        "native/generator.cc",
        "native/process_group.cc",
        "native/distributed_autograd.cc",
        "native/distributed.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node native/libtorch-paths.cjs include)"
      ],
      "defines": ["NAPI_VERSION=9", "NAPI_CPP_EXCEPTIONS", "<!@(node native/libtorch-paths.cjs defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node native/libtorch-paths.cjs libdir)",
        "-Wl,-rpath,<!(node native/libtorch-paths.cjs libdir)",
        "-Wl,--no-as-needed",
        "<!@(node native/libtorch-paths.cjs libs)"
      ]
    }
  ]
}
