#!/usr/bin/perl
# tap_dump.pl FILE: the TAP report as Perl's TAP::Parser (prove's parser)
# reads it, printed as JSON for tests/formats/check.py: the version, the
# plan, the parse errors, and each test point with its YAML diagnostic.
use strict;
use warnings;
use Encode qw(decode);
use JSON::PP;
use TAP::Parser;

open my $fh, '<:raw', $ARGV[0] or die "$ARGV[0]: $!";
my $bytes = do { local $/; <$fh> };
close $fh;
# Characters, not bytes: a \x85 in the YAML and a U+0085 written as UTF-8
# must read back as the same thing.
my $parser = TAP::Parser->new({ tap => decode('UTF-8', $bytes, Encode::FB_CROAK) });
my (@points, @comments);
while (my $r = $parser->next) {
    if ($r->is_test) {
        push @points, { number => $r->number + 0, ok => $r->is_ok ? JSON::PP::true : JSON::PP::false,
                        actual_ok => $r->is_actual_ok ? JSON::PP::true : JSON::PP::false,
                        directive => $r->directive, description => $r->description, yaml => undef };
    } elsif ($r->is_yaml) {
        die "a YAML block with no test point before it\n" unless @points;
        $points[-1]{yaml} = $r->data;
    } elsif ($r->is_comment) {
        push @comments, $r->comment;
    }
}
print JSON::PP->new->utf8->canonical->encode({
    version => $parser->version + 0, plan => $parser->plan, parse_errors => [ $parser->parse_errors ],
    points => \@points, comments => \@comments });
