{
  "targets": [
    {
      "target_name": "vaegan_native",
      "sources": [
        "src/addon.cc",
        "src/gemm.cc",
        "src/sgemm.cc",
        "src/conv.cc",
        "src/elementwise.cc",
        "src/tanh.cc",
        "src/gradients.cc",
        "src/copy.cc",
        "src/topk.cc",
        "src/pool.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
      # Portable baseline: no -march. Hot loops are compiled twice with
      # target_clones(avx2+fma, default) and picked at load time by the CPU.
      # -ffp-contract=off: no fused multiply-adds, so float32 results round like tfjs.
      "cflags_cc": ["-O3", "-fexceptions", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-Wall", "-Wno-unused-parameter"],
      "libraries": ["-lpthread"]
    }
  ]
}
