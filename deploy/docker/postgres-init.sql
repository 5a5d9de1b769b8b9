-- One database per service: no service reads another's. Tenants are schemas inside each.
CREATE DATABASE mentornet_identity;
CREATE DATABASE mentornet_profiles;
CREATE DATABASE mentornet_matching;
CREATE DATABASE mentornet_sessions;
CREATE DATABASE mentornet_feedback;
CREATE DATABASE mentornet_streams;
