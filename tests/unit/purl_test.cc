// Package URLs: the spec's normalisation rules, and what is refused.
#include "core/purl.h"

#include <gtest/gtest.h>

#include <string>

namespace cascade {
namespace {

std::string normal(std::string_view text) {
  auto result = normalise_purl(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result ? "" : result.error().message);
  return result ? *result : std::string();
}

TEST(Purl, SpellingsOfOnePackageAreOne) {
  EXPECT_EQ(normal("pkg:npm/ms@2.0.0"), "pkg:npm/ms@2.0.0");
  EXPECT_EQ(normal("PKG:NPM/MS@2.0.0"), "pkg:npm/ms@2.0.0");
  EXPECT_EQ(normal("pkg://npm/ms@2.0.0/"), "pkg:npm/ms@2.0.0");
  EXPECT_EQ(normal("pkg:npm/%40babel/core@7.24.0"), "pkg:npm/%40babel/core@7.24.0");
  EXPECT_EQ(normal("pkg:npm/@babel/core@7.24.0"), "pkg:npm/%40babel/core@7.24.0");
  EXPECT_EQ(normal("pkg:pypi/Django_REST_framework@3.14.0"),
            "pkg:pypi/django-rest-framework@3.14.0");
  EXPECT_EQ(normal("pkg:deb/Debian/XZ-Utils@5.6.1-1?distro=sid&arch=amd64"),
            "pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64&distro=sid");
  // Case matters for these types: kept as written.
  EXPECT_EQ(normal("pkg:maven/org.Apache/Commons@1.0"), "pkg:maven/org.Apache/Commons@1.0");
  EXPECT_EQ(normal("pkg:golang/github.com/gorilla/context@v1.1.1"),
            "pkg:golang/github.com/gorilla/context@v1.1.1");
}

TEST(Purl, ComponentsAreDecodedAndReencoded) {
  auto purl =
      parse_purl("pkg:deb/debian/libfoo@1%3A2.0%2Bdfsg-1?arch=&repository_url=a%20b#./x/../y/");
  ASSERT_TRUE(purl.ok());
  EXPECT_EQ(purl->type, "deb");
  EXPECT_EQ(purl->namespace_, "debian");
  EXPECT_EQ(purl->name, "libfoo");
  EXPECT_EQ(purl->version, "1:2.0+dfsg-1");
  ASSERT_EQ(purl->qualifiers.size(), 1U);  // the empty arch is dropped
  EXPECT_EQ(purl->qualifiers[0].second, "a b");
  EXPECT_EQ(purl->subpath, "x/y");
  EXPECT_EQ(format_purl(*purl), "pkg:deb/debian/libfoo@1:2.0%2Bdfsg-1?repository_url=a%20b#x/y");
  EXPECT_EQ(format_purl_package(*purl), "pkg:deb/debian/libfoo");
}

TEST(Purl, WithoutVersion) {
  auto purl = parse_purl("pkg:npm/%40scope/name");
  ASSERT_TRUE(purl.ok());
  EXPECT_EQ(purl->namespace_, "@scope");
  EXPECT_EQ(purl->name, "name");
  EXPECT_EQ(purl->version, "");
}

TEST(Purl, MakeFromPackageManagerFields) {
  auto scoped = make_purl("npm", "", "@Types/Node", "20.1.0");
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(format_purl(*scoped), "pkg:npm/%40types/node@20.1.0");
  auto deb = make_purl("deb", "debian", "xz-utils", "5.6.1-1");
  ASSERT_TRUE(deb.ok());
  EXPECT_EQ(format_purl(*deb), "pkg:deb/debian/xz-utils@5.6.1-1");
  EXPECT_FALSE(make_purl("npm", "", "", "1.0").ok());
  EXPECT_FALSE(make_purl("npm", "", "a\nb", "1.0").ok());
}

TEST(Purl, RefusesWhatIsNotAPurl) {
  for (const char* bad : {"", "npm/ms@1", "http://x/y", "pkg:", "pkg:npm", "pkg:npm/", "pkg:1npm/x",
                          "pkg:n_pm/x", "pkg:npm/%zz", "pkg:npm/a%0Ab@1", "pkg:npm/a@1%",
                          "pkg:npm/a?k", "pkg:npm/a?k=1&K=2", "pkg:npm/a?b%20c=1"}) {
    EXPECT_FALSE(parse_purl(bad).ok()) << bad;
  }
  EXPECT_FALSE(parse_purl("pkg:npm/" + std::string(kMaxPurlLength, 'a')).ok());
  EXPECT_FALSE(parse_purl("pkg:npm/" + std::string(4 * kMaxPurlLength, 'a')).ok());
}

}  // namespace
}  // namespace cascade
