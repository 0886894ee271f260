// TopK along the last axis: the k largest values of each row and their indices, in tfjs' order
// (larger value first, equal values by lower index). tfjs-backend-cpu builds a JS object per
// element and runs Floyd-Rivest selection; precision/recall's k-nearest-neighbour radii call it on
// [512, 2000] blocks, where it was most of an evaluation.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>
#include "kernels.h"

namespace vg {

bool top_k(const float* x, int64_t rows, int64_t n, int64_t k, float* values, int32_t* indices) {
  for (int64_t i = 0; i < rows * n; ++i)
    if (!std::isfinite(x[i])) return false;  // tfjs' comparator has no total order with NaN or ±Inf: leave to it
  parallel_for(rows, std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(n, 1)), [&](int64_t r0, int64_t r1) {
    std::vector<int32_t> idx(n);
    for (int64_t r = r0; r < r1; ++r) {
      const float* row = x + r * n;
      std::iota(idx.begin(), idx.end(), 0);
      std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [row](int32_t a, int32_t b) {
        return row[a] > row[b] || (row[a] == row[b] && a < b);
      });
      for (int64_t j = 0; j < k; ++j) {
        values[r * k + j] = row[idx[j]];
        indices[r * k + j] = idx[j];
      }
    }
  });
  return true;
}

}  // namespace vg
