// "Did you mean" hints (base/suggest.hpp): the case-blind match first, then the closest by edit
// distance, nothing for a name far from every known one.
#include <gtest/gtest.h>

#include "base/suggest.hpp"

namespace hwcal {
namespace {

const std::vector<std::string> kPlans = {"quick", "standard", "full"};

TEST(Suggest, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("--fromat", "--format"), 2u);
}

TEST(Suggest, AnotherCaseIsTheBestMatch) {
  EXPECT_EQ(closest_names(kPlans, "Quick"), std::vector<std::string>{"quick"});
  // "15w" is one edit from "15W" and from "25W", but only the first differs in case alone.
  const std::vector<std::string> modes = {"7W", "15W", "25W", "MAXN_SUPER"};
  ASSERT_FALSE(closest_names(modes, "15w").empty());
  EXPECT_EQ(closest_names(modes, "15w").front(), "15W");
}

TEST(Suggest, ClosestFirstAndFarNamesLeftOut) {
  const std::vector<std::string> options = {"--format", "--database", "--output", "--id"};
  EXPECT_EQ(closest_names(options, "--fromat").front(), "--format");
  EXPECT_EQ(closest_names(options, "--databse").front(), "--database");
  EXPECT_TRUE(closest_names(options, "--zzzzzzzzzzzzzzzz").empty());
}

TEST(Suggest, TheNameItselfIsNoSuggestion) { EXPECT_TRUE(closest_names({"json"}, "json").empty()); }

TEST(Suggest, DidYouMeanNamesTheBestOnly) {
  EXPECT_EQ(did_you_mean(kPlans, "standrd"), " (did you mean standard?)");
  EXPECT_EQ(did_you_mean({"resnet18", "resnet50"}, "resnet19"),  // the closer alone
            " (did you mean resnet18?)");
  EXPECT_EQ(did_you_mean({"resnet18", "resnet28"}, "resnet08"),  // a tie: both
            " (did you mean resnet18, resnet28?)");
  EXPECT_EQ(did_you_mean(kPlans, "xxxxxxxxxxxxxxxxxxxxxx"), "");
}

}  // namespace
}  // namespace hwcal
